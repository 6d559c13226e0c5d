# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's side of hardener.docker.harden: a profile file named by profile_src is read on the controller
and handed to the module as its content, which the module, as the user it runs as on the host (root), writes into
a directory of its own for harden to read: harden reads a profile only where root alone can have made it, which a
file carried into the login user's temporary directory is not."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

MAX_SIZE = 1 << 20  # as harden reads a profile


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        source = args.pop("profile_src", None)
        if source:
            if args.get("profile"):
                raise AnsibleActionFail("profile and profile_src name one profile two ways: give one")
            local = self._find_needle("files", source)
            with open(local, "rb") as profile:
                data = profile.read(MAX_SIZE + 1)
            if len(data) > MAX_SIZE:
                raise AnsibleActionFail("profile_src %s is larger than the %d bytes harden reads of a profile" % (source, MAX_SIZE))
            args["profile_content"] = to_text(data, errors="surrogate_or_strict")
        result.update(self._execute_module(module_name="hardener.docker.harden", module_args=args, task_vars=task_vars))
        return result
