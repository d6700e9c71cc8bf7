"""Messages from the coordination office to guides, read in the app's inbox (synced as `message`)."""
