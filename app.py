"""Start the coach web app: `python app.py [--host H] [--port P]` (127.0.0.1:7860)."""
import sys

from coach.web import main

if __name__ == "__main__":
    sys.exit(main())
