"""Pure text -> text editors of the files harden changes: they keep every
byte they were not asked to change."""
