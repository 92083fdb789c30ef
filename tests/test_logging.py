"""Production logs are one JSON object per line, so a collector can index them."""

import io
import json
import logging
import logging.config

from django.conf import settings


def test_json_log_format_writes_one_object_per_line():
    config = {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}}
    config["handlers"] = {
        "console": {"class": "logging.StreamHandler", "formatter": "json"}
    }
    logging.config.dictConfig(config)
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)
    try:
        logging.getLogger("returns.issuing").warning("issued %s returns", 12)
        record = json.loads(stream.getvalue().strip())
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert record["level"] == "WARNING"
    assert record["logger"] == "returns.issuing"
    assert record["message"] == "issued 12 returns"
    assert "time" in record
