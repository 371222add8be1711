# Problem reports
reports-title = Reports
