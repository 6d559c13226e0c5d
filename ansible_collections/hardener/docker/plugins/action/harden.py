# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's side of hardener.docker.harden: a profile file named by profile_src is on the controller; it is
carried into the task's own temporary directory on the host (root's, readable by root alone, as harden wants a
profile to be) and given to the module as its profile."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        source = args.pop("profile_src", None)
        if source:
            if args.get("profile"):
                raise AnsibleActionFail("profile and profile_src name one profile two ways: give one")
            local = self._find_needle("files", source)
            remote = self._connection._shell.join_path(self._connection._shell.tmpdir, "profile.toml")
            self._transfer_file(local, remote)
            self._fixup_perms2((self._connection._shell.tmpdir, remote))
            args["profile"] = remote
        result.update(self._execute_module(module_name="hardener.docker.harden", module_args=args, task_vars=task_vars))
        return result
