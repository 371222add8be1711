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
activities-title = Activités et restauration scolaire
activity-rules-saved = Les règles sont enregistrées ; elles s'appliquent aux prochaines réservations.
activity-starts-at = Heure de début du service
activity-starts-at-hint = Par exemple 11:45 pour le repas ; les délais « en heures » comptent depuis cette heure.
activity-booking = Réservation au tarif normal : jusqu'à quand ?
activity-cancellation = Annulation sans frais : jusqu'à quand ?
activity-late = Réservation de dernière minute (majorée) : jusqu'à quand ?
activity-rule-none = Pas de réservation de dernière minute
activity-rule-days = Un nombre de jours avant, à une heure (0 : le jour même)
activity-rule-working-days = Un nombre de jours ouvrés avant, à une heure (week-ends et jours fériés non comptés)
activity-rule-hours = Un nombre d'heures avant le début du service
activity-rule-week = Un jour fixe d'une semaine précédente, à une heure
activity-rule-days-count = Nombre de jours
activity-rule-hours-count = Nombre d'heures
activity-rule-time = Heure
activity-rule-weekday = Jour de la semaine
activity-rule-weeks = Semaines avant
activity-rule-weeks-hint = 1 : la semaine précédente ; 0 : la même semaine.
activity-late-surcharge = Majoration de la dernière minute
activity-late-fixed = Un montant en euros
activity-late-percent = Un pourcentage du tarif
activity-late-value = Majoration
activity-preview = Aperçu
activity-save = Enregistrer
activity-preview-title = Les trois prochaines semaines
activity-preview-title-new = Aperçu des règles saisies (non enregistrées)
activity-preview-caption = Dates limites des trois prochaines semaines
activity-preview-day = Jour du service
activity-preview-booking = Réservation ferme le
activity-preview-cancellation = Annulation gratuite jusqu'au
activity-preview-late = Dernière minute jusqu'au
register-excuse = Motif de l'absence
register-excuse-submit = Excuser l'absence
