"""Contact forecasting: from call records to interval forecasts with quantiles."""
