"""One router per capability; each only parses the request and calls a presenter."""
