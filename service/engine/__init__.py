"""The approval engine: small rules with stable codes, the decision derived from their reasons."""
