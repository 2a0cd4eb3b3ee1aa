"""The names of the files smtpops looks for in a repository, apart from the modules that
read them, so that finding files (discovery, the validation cache) loads no YAML."""

SETTINGS_FILE = "environments.yaml"  # in configs/: environments, policies, rule selection
