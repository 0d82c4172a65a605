print("routing bench")
