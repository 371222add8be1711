# Problem reports (signalements)
reports-title = Signalements
