"""``python -m provisioning.national.simulator --dialect legacy``: no Django needed."""

import argparse
import logging

from . import default_db_path
from .cli import add_arguments, serve

parser = argparse.ArgumentParser(prog="python -m provisioning.national.simulator")
add_arguments(parser)
options = vars(parser.parse_args())
logging.basicConfig(level=logging.INFO)
serve(options, options["db"] or default_db_path())
