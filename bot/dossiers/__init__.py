"""The province's dossier system: the HTTP adapter and its local stand-in."""
