raise SystemExit("Run Convene with `make run` or `flask --app convene run`.")
