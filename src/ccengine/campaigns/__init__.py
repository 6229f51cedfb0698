"""Campaign and list operations with their indicator events (docs/data-model.md)."""

from ccengine.campaigns._service import CampaignService

__all__ = ["CampaignService"]
