<?php
/*
 * forumcrawl test bed, the WordPress part shared by the WordPress forum plugins (bbPress, Asgaros Forum, wpForo).
 * A plugin's seeding script defines FC_PLUGIN (its main file under wp-content/plugins) and FC_TITLE (the
 * site title), then requires this file; run with php-cli: php PLUGIN_seed.php SITE_DIR BASE_URL STEP.
 *
 * STEP "install": WordPress's own wp_install() into the database named in SITE_DIR/wp-config.php, the site
 *   URL set to BASE_URL, pretty permalinks, the classic default theme, the plugin in the active plugins;
 *   then exits.
 * STEP "seed" (a second process, so that the plugin loads as on any request): loads WordPress, runs the
 *   plugin's activation hook, reads the JSON spec on stdin into $spec and applies its "settings" as options;
 *   the plugin's script goes on with the functions below (users, the blog post, the main menu).
 */
error_reporting(E_ERROR | E_PARSE);
[$self, $site, $base, $step] = $argv;
$url = parse_url($base);
$_SERVER['HTTP_HOST'] = $url['host'] . ':' . $url['port'];
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['SERVER_PORT'] = $url['port'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['HTTP_USER_AGENT'] = 'forumcrawl-seed';

if ($step === 'install') {
    define('WP_INSTALLING', true);
    require $site . '/wp-load.php';
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    $done = wp_install(FC_TITLE, 'admin', 'admin@example.org', true, '', 'fc-admin-pw', 'en_US');
    if (is_wp_error($done) || empty($done['user_id'])) { fwrite(STDERR, "wp_install failed\n"); exit(2); }
    update_option('siteurl', $base);
    update_option('home', $base);
    update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');
    update_option('template', 'twentytwentyone');
    update_option('stylesheet', 'twentytwentyone');
    update_option('active_plugins', array(FC_PLUGIN));
    echo "installed\n";
    exit(0);
}

require $site . '/wp-load.php';
do_action('activate_' . FC_PLUGIN);  // what activate_plugin() runs after including the file
$spec = json_decode(file_get_contents('php://stdin'), true);
foreach ($spec['settings'] as $k => $v) {
    update_option($k, $v);
}

function fc_date($t) { return gmdate('Y-m-d H:i:s', $t); }
function fc_check($id, $what) {
    if (is_wp_error($id) || !$id) {
        fwrite(STDERR, "$what failed: " . (is_wp_error($id) ? $id->get_error_message() : 'no id') . "\n");
        exit(2);
    }
    return $id;
}

// The spec's users through wp_insert_user (admin is the installer's user 1): {display name: user id}.
function fc_users($names) {
    $uids = array('admin' => 1);
    wp_update_user(array('ID' => 1, 'display_name' => 'admin'));
    foreach ($names as $i => $name) {
        if ($name === 'admin') { continue; }
        // (user_login must be ASCII: WordPress strips other characters from logins; the name shown is display_name)
        $uids[$name] = fc_check(wp_insert_user(array('user_login' => "member$i", 'user_pass' => "fc-seed-pw-$i",
            'user_email' => "user$i@example.org", 'display_name' => $name, 'nickname' => $name,
            'role' => 'subscriber')), "wp_insert_user($name)");
    }
    return $uids;
}

// What any WordPress site carries besides the forum: one blog post with tags and reader comments; its ID.
function fc_blog($blog) {
    $post_id = fc_check(wp_insert_post(array('post_type' => 'post', 'post_status' => 'publish', 'post_author' => 1,
        'post_title' => $blog['title'], 'post_content' => $blog['content'], 'post_date' => fc_date($blog['time']),
        'post_date_gmt' => fc_date($blog['time']), 'tags_input' => $blog['tags'])), 'wp_insert_post');
    foreach ($blog['comments'] as $c) {
        fc_check(wp_insert_comment(array('comment_post_ID' => $post_id, 'comment_author' => $c['author'],
            'comment_author_email' => 'reader@example.org', 'comment_content' => $c['text'], 'comment_approved' => 1,
            'comment_date' => fc_date($c['time']), 'comment_date_gmt' => fc_date($c['time']))), 'wp_insert_comment');
    }
    return $post_id;
}

// The site's main menu: Home and the forum (a site owner links the forum from the menu: nothing else does).
function fc_menu($label, $forum_url) {
    $menu = fc_check(wp_create_nav_menu('Main'), 'wp_create_nav_menu');
    wp_update_nav_menu_item($menu, 0, array('menu-item-title' => 'Home', 'menu-item-url' => home_url('/'),
        'menu-item-type' => 'custom', 'menu-item-status' => 'publish'));
    wp_update_nav_menu_item($menu, 0, array('menu-item-title' => $label, 'menu-item-url' => $forum_url,
        'menu-item-type' => 'custom', 'menu-item-status' => 'publish'));
    set_theme_mod('nav_menu_locations', array('primary' => $menu));
}

// The reader comments as stored (the test checks that none is stored as a post).
function fc_comments() {
    global $wpdb;
    return $wpdb->get_col("SELECT comment_content FROM {$wpdb->comments}");
}
