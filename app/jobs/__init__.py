"""Training jobs: SQL records, a Huey task queue, and the worker processes that train.

    records.py   job and dataset tables; every state change as one conditional UPDATE
    db.py        the engine: SQLite in the data folder, or PostgreSQL
    queue.py     Huey on SQLite (embedded) or Redis (scaled out)
    params.py    a job's hyper-parameters, checked against the models' schemas
    tasks.py     the training task, run only in worker processes
    worker.py    ``genserve worker``, and the embedded worker the API starts
    service.py   what the routers call: submit, list, cancel, follow
    runtime.py   the API side's start and stop: queue, worker, reload loop
"""
