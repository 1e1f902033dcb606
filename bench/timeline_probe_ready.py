"""Last of the traced server's preload list: logs when its preload has ended."""

from timeline_probe import mark

mark("server preload end")
