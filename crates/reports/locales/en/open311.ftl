# open311
