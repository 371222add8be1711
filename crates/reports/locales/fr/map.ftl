# map: the public map and list of reports, one report's public page, the map script
map-list-title = Signalements en cours
map-map-title = Carte des signalements
map-intro = Les problèmes signalés dans l'espace public, ouverts ou résolus depuis moins de 30 jours. Le lieu est indiqué à une centaine de mètres près ; l'auteur n'est jamais affiché.
map-see-map = Voir la carte
map-see-list = Voir la liste complète
map-report-a-problem = Signaler un problème
map-filters-label = Filtrer les signalements
map-filter-category = Catégorie
map-filter-all-categories = Toutes les catégories
map-filter-state = État
map-state-current = Ouverts ou résolus récemment
map-state-open = Ouverts
map-state-resolved = Résolus depuis moins de 30 jours
map-filter-district = Quartier
map-filter-all-districts = Tous les quartiers
map-filter-submit = Filtrer
map-filter-reset = Effacer les filtres
map-list-heading = Liste des signalements
map-count = { $count ->
    [0] Aucun signalement.
    [one] 1 signalement.
   *[other] { $count } signalements.
}
map-list-empty = Aucun signalement ne correspond à ces critères.
map-reported-on = Signalé le { $date }
map-place-district = quartier { $district }
map-place-near = près de { $street }
map-place-unknown = lieu non précisé
map-description-hidden = Description masquée par la modération.
map-no-script = La carte a besoin de JavaScript. La liste ci-dessous présente les mêmes signalements.
map-more = Voir les { $count } signalements dans la liste
map-marker-label = { $category } — { $status } — signalé le { $date }
map-pagination = Pages de la liste
map-previous = Page précédente
map-next = Page suivante
map-page-of = Page { $page } sur { $pages }
map-back-to-list = Tous les signalements
map-reference = Référence
map-status = État
map-status-since = depuis le { $date }
map-planned = Intervention prévue le
map-reported = Signalé le
map-place = Lieu (à 100 m près)
map-me-too = Même problème constaté
map-me-too-count = { $count ->
    [one] par une autre personne
   *[other] par { $count } autres personnes
}
map-merged = Ce signalement a été regroupé avec un autre qui décrit le même problème.
map-merged-link = Voir le signalement suivi
map-description = Description
map-no-description = Pas de description.
map-photos = Photos
map-photo-alt = Photo { $n } sur { $count } jointe au signalement
map-fix-photo-alt = Photo { $n } sur { $count } de l'intervention
map-place-heading = Sur la carte
map-history = Suivi
map-history-filed = Signalement reçu
map-history-status = Nouvel état : { $status }
map-history-merged = Regroupé avec un autre signalement
map-history-planned = Intervention planifiée
map-history-recategorised = Catégorie corrigée
map-history-message = Message de la mairie
map-me-too-heading = Vous constatez le même problème ?
map-me-too-text = Plutôt qu'un nouveau signalement, dites-le ici : l'équipe saura que le problème gêne plusieurs personnes.
map-me-too-email = Votre adresse électronique (facultatif)
map-me-too-email-hint = Seulement pour être informé(e) du traitement par courriel ; elle n'est jamais affichée.
map-me-too-submit = Moi aussi
map-js-map-label = Carte des signalements
map-js-map-role = carte
map-js-pick-label = Carte pour indiquer le lieu du problème
map-js-place-label = Lieu approximatif du signalement
map-js-help = Faites glisser la carte ou utilisez les flèches du clavier pour la déplacer, et les boutons + et − pour zoomer.
map-js-help-pick = Touchez ou cliquez la carte à l'endroit du problème. Au clavier : amenez l'endroit au centre avec les flèches, puis appuyez sur Entrée.
map-js-zoom-in = Zoomer
map-js-zoom-out = Dézoomer
map-js-pin-placed = Lieu indiqué sur la carte.
map-js-near = Près de { $place }.
map-js-locating = Recherche de votre position…
map-js-locate-denied = Votre position n'est pas disponible : l'accès a été refusé. Indiquez le lieu sur la carte ou tapez une adresse.
map-js-locate-failed = Votre position n'a pas pu être trouvée. Indiquez le lieu sur la carte ou tapez une adresse.
map-js-shown = Signalements affichés sur cette partie de la carte : { $count }.
map-js-truncated = Seuls les plus récents sont affichés : zoomez pour voir les autres.
map-js-load-failed = Les signalements n'ont pas pu être chargés. La liste sous la carte reste disponible.
