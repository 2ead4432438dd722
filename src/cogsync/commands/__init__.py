"""The sub-commands of the cogsync command line, one module each."""
