"""Labels: what a QR label holds and how it is drawn. Pure: nothing here imports the app or a database."""
