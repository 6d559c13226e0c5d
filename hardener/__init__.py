"""hardener: harden Docker hosts to the Alibaba Cloud Docker security baseline, and undo it."""
