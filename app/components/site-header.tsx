import { Form, Link, NavLink } from "@remix-run/react";

export interface HeaderUser {
  name: string;
  email: string;
  isAdmin: boolean;
}

export function SiteHeader({ user }: { user: HeaderUser | null }) {
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link to={user ? "/projects" : "/login"} className="wordmark">
          Quorum
        </Link>
        {user ? (
          <>
            <nav aria-label="Main" className="site-nav">
              <NavLink to="/projects">Projects</NavLink>
              <NavLink to="/settings">Settings</NavLink>
              {user.isAdmin ? <NavLink to="/admin/users">Admin</NavLink> : null}
            </nav>
            <div className="site-user">
              <span className="site-user-name" title={user.email}>
                {user.name}
              </span>
              <Form method="post" action="/logout">
                <button type="submit" className="button button-quiet">
                  Log out
                </button>
              </Form>
            </div>
          </>
        ) : null}
      </div>
    </header>
  );
}
