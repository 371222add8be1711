# Problem reports
reports-title = Reports
report-status-new = New
report-status-acknowledged = Acknowledged
report-status-in-progress = In progress
report-status-resolved = Resolved
report-status-rejected = Not accepted
report-status-duplicate = Duplicate
