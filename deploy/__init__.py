"""How OnePic is deployed: `local` (`make up`: every service as a process on this machine)."""
