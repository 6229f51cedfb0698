"""ccengine: a contact-center engine."""
