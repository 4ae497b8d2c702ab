"""The song catalog: syncing it, linking plays to charts, the song list and its search."""
