"""The plugin installed in forums nobody here wrote, one package per forum (see docs/integrations/)."""
