"""Reply suggestions to comments: classify, answer in the brand's voice, or escalate."""
