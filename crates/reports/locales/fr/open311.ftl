# open311
open311-key-service = Les clés d'API sont délivrées par { $commune } à chaque application qui dépose des signalements : écrivez à { $email } en indiquant le nom de l'application et un contact technique. La lecture ne demande pas de clé. Mode d'emploi : { $url }
open311-note-filed = Signalement reçu.
open311-note-update = Signalement mis à jour.

open311-keys-title = Clés Open311
open311-keys-intro = Une clé permet à une autre application (une appli de quartier, le tableau de bord d'une métropole) de déposer des signalements par l'interface Open311. Nommez chaque client, gardez un contact pour le joindre, et révoquez sa clé dès qu'il ne doit plus déposer. La lecture des signalements publics ne demande pas de clé.
open311-keys-endpoint = Adresse de l'interface :
open311-keys-about-link = mode d'emploi pour les développeurs
open311-keys-clients = Clients
open311-keys-none = Aucune clé n'a encore été délivrée.
open311-keys-caption = { $count ->
    [one] Un client
   *[other] { $count } clients
}
open311-keys-col-name = Client
open311-keys-col-contact = Contact
open311-keys-col-prefix = Début de la clé
open311-keys-col-created = Délivrée le
open311-keys-col-used = Dernier dépôt
open311-keys-col-state = État
open311-keys-never = jamais
open311-keys-active = Active
open311-keys-revoked-on = Révoquée le { $date }
open311-keys-revoke = Révoquer la clé de « { $name } »
open311-keys-revoked = La clé de « { $name } » est révoquée : elle ne permet plus aucun dépôt.
open311-keys-already-revoked = Cette clé était déjà révoquée.
open311-keys-new = Délivrer une clé
open311-keys-field-name = Nom du client
open311-keys-field-name-hint = L'application ou l'organisme qui utilisera la clé, par exemple « Appli Mon Quartier ». 100 caractères au plus.
open311-keys-field-contact = Contact
open311-keys-field-contact-hint = Qui joindre en cas de problème : une adresse électronique ou un téléphone. 200 caractères au plus.
open311-keys-issue = Délivrer la clé
open311-keys-error-name = Donnez le nom du client (100 caractères au plus).
open311-keys-error-contact = Indiquez un contact pour joindre le client (200 caractères au plus).
open311-keys-issued = La clé de « { $name } » est délivrée.
open311-keys-issued-title = La nouvelle clé
open311-keys-issued-once = Transmettez-la au client par un moyen sûr maintenant : elle ne sera plus jamais affichée. La commune n'en garde qu'une empreinte. En cas de perte, révoquez-la et délivrez-en une autre.
open311-keys-issued-use = Le client l'envoie avec chaque dépôt, dans le champ

open311-about-title = Interface Open311
open311-about-intro = Les signalements publics de la commune se lisent, et se déposent, avec le standard Open311 GeoReport v2 : une application existante fonctionne sans modification.
open311-about-endpoint = Adresse de l'interface
open311-about-jurisdiction = Identifiant de la collectivité (jurisdiction_id, facultatif)
open311-about-formats = Formats
open311-about-formats-text = Chaque ressource existe en XML (.xml) et en JSON (.json).
open311-about-resources = Ressources
open311-about-discovery = la description de l'interface et de ses formats ;
open311-about-services = les catégories de signalement (les services) ;
open311-about-definition = les questions complémentaires d'une catégorie ;
open311-about-requests = les signalements publics des 90 derniers jours, avec leurs filtres ;
open311-about-request = un signalement ;
open311-about-post = déposer un signalement, avec une clé d'API ;
open311-about-tokens = retrouver un signalement à partir de son jeton.
open311-about-key-title = Obtenir une clé
open311-about-privacy-title = Données personnelles
open311-about-privacy = L'interface ne publie jamais l'auteur d'un signalement, ni les textes et photos masqués par la modération, ni les catégories privées. À un dépôt, seule l'adresse électronique est gardée, et seulement pour tenir l'auteur informé ; le nom, le téléphone et les identifiants d'appareil ou de compte ne sont pas conservés.
