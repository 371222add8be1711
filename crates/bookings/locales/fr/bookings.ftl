bookings-title = Réservations
bookings-family = Mon dossier famille
bookings-no-child = Aucun enfant n'est inscrit dans votre dossier famille.
bookings-add-child = Ajouter un enfant
bookings-for = Réservations de { $name }
bookings-months = Changer de mois
bookings-previous = Mois précédent
bookings-next = Mois suivant
bookings-no-activity = Aucune activité n'est proposée pour l'école de cet enfant. Vérifiez l'école indiquée dans sa fiche.
bookings-day = Jour
bookings-state = Réservation
bookings-action = Action
bookings-pattern = Réserver plusieurs semaines d'un coup (semaine type)
bookings-pattern-days = Jours à réserver chaque semaine
bookings-pattern-from = Du
bookings-pattern-until = Au
bookings-pattern-submit = Réserver ces jours
bookings-account = Mon compte famille
bookings-account-intro = Chaque ligne indique comment son montant est calculé : ouvrez-la pour voir la tranche de quotient familial et la majoration appliquées.
bookings-account-empty = Aucune ligne ce mois-ci.
bookings-child = Enfant
bookings-activity = Activité
bookings-line = Ligne
bookings-amount = Montant
bookings-total = Total du mois
kitchen-title = Repas à préparer
kitchen-day = Jour
kitchen-show = Afficher
kitchen-csv = Télécharger les effectifs (CSV)
kitchen-none = Aucun restaurant scolaire de vos services.
kitchen-total = { $count ->
    [one] { $count } repas
   *[other] { $count } repas
}
kitchen-by-diet = Repas par régime
kitchen-diet = Régime
kitchen-meals = Repas
kitchen-by-allergen = Enfants par allergène à éviter
kitchen-allergen = Allergène
kitchen-children = Enfants
kitchen-other-allergies = Autres allergies (voir les fiches)
kitchen-care-plans = Enfants avec un PAI
register-title = Pointage
register-activity = Activité
register-booked = { $count ->
    [one] { $count } enfant attendu
   *[other] { $count } enfants attendus
}
register-nobody = Aucun enfant n'est réservé ce jour-là.
register-others = { $count ->
    [one] { $count } autre enfant de l'école (présent sans réservation)
   *[other] { $count } autres enfants de l'école (présents sans réservation)
}
register-no-activity = Aucune activité de vos services.
register-care-plan = PAI : suivre le protocole de l'enfant
register-allergies = Allergies : { $list }
register-diet = Régime : { $diet }
register-present = Présent
register-absent = Absent
