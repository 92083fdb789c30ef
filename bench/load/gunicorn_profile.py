"""gunicorn settings for the load test's profile run: each worker writes its last
profiles as it exits (bench/load/profiled_wsgi.py)."""


def worker_exit(server, worker):
    from bench.load.profiled_wsgi import dump_all

    dump_all()
