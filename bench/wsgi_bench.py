"""The application as benchmarked, plus a bare hello-world route as the baseline (same app, same workers)."""

from contest import create_app

app = create_app()


@app.get("/bench/hello")
def hello():
    return "Hello, World!"
