(*
Module: Systemd_unit
  systemd unit files and drop-ins as systemd.syntax(7) reads them: sections,
  comment lines and KEY=VALUE assignments, each value kept as written to the
  end of its logical line (continuation lines, and the comment lines systemd
  skips inside them, included). Splitting a value into words is left to
  hardener, which follows systemd's own rules for quotes and variables.

  Augeas' own Systemd lens is not used: it splits Exec lines at every space,
  so quoting is lost, and it takes a # inside a value for a comment, which
  systemd does not.

  Assignments before the first section are a parse error here (systemd
  ignores them with a warning). Lines may end in CR LF, as systemd allows.
*)
module Systemd_unit =

let blank = [ del /[ \t\r]*\n/ "\n" ]
let comment = [ label "#comment" . del /[ \t]*/ "" . store /[#;][^\n]*/ . del "\n" "\n" ]

(* Characters of a line, a backslash always with the one after it: a line
   is continued when an unpaired backslash is its very last character *)
let chars = /([^\\\n]|\\\\[^\r\n])*/
let first_char = /[^ \t\n\\]|\\\\[^\r\n]/
let continues = /\\\\\r?\n/
let comment_line = /[ \t]*[#;][^\n]*/
let one_line = first_char . chars
(* A value continued, and the comment lines systemd skips inside it *)
let continued = (first_char . chars)? . continues . (chars . continues | comment_line . /\n/)*
let last_line = chars - comment_line
let value = store (one_line | continued . last_line)

let assignment = [ del /[ \t]*/ "" . key /[A-Za-z0-9_.-]+/ . del /[ \t]*=[ \t]*/ "="
                   . value? . del "\n" "\n" ]

let section = [ del /[ \t]*\[/ "[" . key /[^]#;\n\/][^]\n\/]*/ . del /\][ \t\r]*\n/ "]\n"
                . (assignment | comment | blank)* ]

let lns = (comment | blank)* . section*
