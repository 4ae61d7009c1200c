"""The review side: web pages and a REST API over the store's history queries.

Optional (``pip install 'monitor[web]'``): nothing outside this package and
the commands that start it imports Starlette, Jinja2 or uvicorn.
"""
