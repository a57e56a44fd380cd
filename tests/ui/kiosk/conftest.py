"""The kiosk window tests draw on a headless display, fresh of events for each test."""
import pygame
import pytest


@pytest.fixture(autouse=True)
def display():
    if not pygame.display.get_init():
        pygame.display.init()
    pygame.font.init()
    pygame.event.clear()
    yield
