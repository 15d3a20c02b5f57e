"""The sandbox, client and CLI fixtures of the pipeline tests, shared with the runner's."""

from tests.core.test_pipeline_cli import cli  # noqa: F401
from tests.core.test_pipeline_sandbox import client, sandbox, sb  # noqa: F401
