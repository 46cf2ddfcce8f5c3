"""One file per revision; each feature's revisions form their own branch off ``0000_base``."""
