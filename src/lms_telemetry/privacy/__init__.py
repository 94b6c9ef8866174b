"""Privacy at the door: scrubbing, pseudonyms, user-agent reduction, retention."""
