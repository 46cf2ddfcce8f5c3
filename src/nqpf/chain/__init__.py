"""Industrial chains (产业链): input-output analysis, chain definitions and chain maps."""
