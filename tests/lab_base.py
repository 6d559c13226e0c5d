"""What the labs share: started on entering a `with`, torn down on leaving it, even half-started."""
import abc


class ManagedLab(abc.ABC):
    @abc.abstractmethod
    def start(self):
        """Bring the lab up; return it."""

    @abc.abstractmethod
    def stop(self):
        """Tear down whatever start() made, by the ids it recorded."""

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
