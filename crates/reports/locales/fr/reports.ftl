# Problem reports (signalements)
reports-title = Signalements
report-status-new = Nouveau
report-status-acknowledged = Pris en compte
report-status-in-progress = En cours
report-status-resolved = Résolu
report-status-rejected = Non retenu
report-status-duplicate = Doublon
