print("ingest bench")
