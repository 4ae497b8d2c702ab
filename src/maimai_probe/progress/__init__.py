"""What a player chases beyond single scores: plates per version and the rating plan."""
