"""Binary classification (credit risk, diagnosis): evaluation after the search."""
