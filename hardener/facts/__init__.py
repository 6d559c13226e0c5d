"""What harden reads from a host, shared by the fixes."""
