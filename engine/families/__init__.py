"""Model families: how each fits, with early stopping and a deadline, and saves natively."""
