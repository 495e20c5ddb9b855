"""Ranking (recommendation): interaction logs, candidates, top-k metrics and its flow."""
