"""The back office's client organisations, /backoffice/organisations/: onboarding, settings,
group companies, the data export and the contract's end."""
