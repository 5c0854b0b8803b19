"""genserve: a web service that trains and serves generative models."""
