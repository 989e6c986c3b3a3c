"""The Kivy views: thin screens that show journey state and pass touches back. Only here is Kivy imported."""
