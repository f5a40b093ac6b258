"""One router per part of the API; main.create_app includes them in order."""
